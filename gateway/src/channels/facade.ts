/**
 * What the API may ask of the channels stage (api/routes/channels.ts, api/routes/stream.ts): a
 * WebSocket client to push to, the personal channels' state, delivery records, a test send. The
 * configured webhooks are read from the site file (`readChannelsConfig`), running or not.
 */
import type { DeliveryStore } from './delivery-store.ts';
import type { PersonalPager } from './personal-pager.ts';
import type { StreamHub } from './stream.ts';
import type { WebhookSender } from './webhooks.ts';

export interface ChannelsFacade {
  /** A page's WebSocket: it receives what the user's grid may see, in their language. */
  addStreamClient: StreamHub['add'];
  personalChannels(): PersonalPager['states'];
  deliveries: DeliveryStore['list'];
  /** Sends a test message through one channel with its retries; null when there is no such channel. */
  sendTest: WebhookSender['sendTest'];
}
