/**
 * Who may connect, publish and subscribe on the embedded broker. Deny by default:
 * - devices (username = device id) publish only under their own `weige/{deviceId}/…` or a vendor
 *   topic their codec maps to their own id, and subscribe only to their own command topic;
 * - service accounts (simulator, Node-RED, dashboards) get exactly the filters in the site file;
 * - anonymous clients are refused unless the site allows them, and then act as devices that may
 *   publish for any device id, but never subscribe to alerts or incidents;
 * - `$SYS/` and the gateway's own output topics are never publishable by clients.
 */
import type { SiteIndex } from '../config/site-index.ts';
import { verifyPassword } from '../core/passwords.ts';
import type { MqttAccount } from '../contracts/site.ts';
import { parseDeviceTopic, topicMatches } from '../contracts/topics.ts';

export type ClientIdentity =
  { type: 'device'; deviceId: string } | { type: 'service'; account: MqttAccount } | { type: 'anonymous' };

/** Maps a vendor topic to the device id it carries, or null (supplied by the codec registry). */
export type VendorTopicResolver = (topic: string) => string | null;

export class BrokerPolicy {
  constructor(
    private readonly site: SiteIndex,
    private readonly vendorDeviceId: VendorTopicResolver,
  ) {}

  /** Returns the identity, or null when the credentials are refused. */
  authenticate(username: string | undefined, password: Buffer | undefined): ClientIdentity | null {
    const mqtt = this.site.site.mqtt;
    if (username === undefined || username === '') return mqtt.allowAnonymous ? { type: 'anonymous' } : null;
    const secret = password?.toString('utf8') ?? '';
    const account = mqtt.accounts.find((a) => a.username === username);
    if (account) return verifyPassword(secret, account.passwordHash) ? { type: 'service', account } : null;
    const device = this.site.device(username);
    const hash = device?.mqttPasswordHash ?? mqtt.devicePasswordHash;
    if (device && hash && verifyPassword(secret, hash)) return { type: 'device', deviceId: device.id };
    return null;
  }

  /** Null when allowed, else the reason. */
  checkPublish(identity: ClientIdentity, topic: string): string | null {
    if (topic.startsWith('$')) return 'topics starting with $ are reserved';
    switch (identity.type) {
      case 'service':
        return identity.account.publish.some((f) => topicMatches(f, topic))
          ? null
          : `account '${identity.account.username}' may not publish to ${topic}`;
      case 'device':
        return this.deviceTopicOwner(topic) === identity.deviceId
          ? null
          : `device '${identity.deviceId}' may publish only its own topics, not ${topic}`;
      case 'anonymous':
        return this.deviceTopicOwner(topic) !== null
          ? null
          : `anonymous clients may publish only device topics, not ${topic}`;
    }
  }

  checkSubscribe(identity: ClientIdentity, filter: string): string | null {
    switch (identity.type) {
      case 'service':
        return identity.account.subscribe.some((allowed) => isNarrower(filter, allowed))
          ? null
          : `account '${identity.account.username}' may not subscribe to ${filter}`;
      case 'device':
        return filter === `weige/${identity.deviceId}/command`
          ? null
          : `device '${identity.deviceId}' may subscribe only to its command topic`;
      case 'anonymous':
        return /^weige\/[^/+#]+\/command$/.test(filter)
          ? null
          : 'anonymous clients may subscribe only to a command topic';
    }
  }

  private deviceTopicOwner(topic: string): string | null {
    const parsed = parseDeviceTopic(topic);
    return parsed ? parsed.deviceId : this.vendorDeviceId(topic);
  }
}

/** True when every topic matched by `filter` is also matched by `allowed`. */
function isNarrower(filter: string, allowed: string): boolean {
  const f = filter.split('/');
  const a = allowed.split('/');
  for (let i = 0; i < f.length; i++) {
    if (a[i] === '#') return true;
    if (a[i] === undefined) return false;
    if (a[i] === '+') {
      if (f[i] === '#') return false;
      continue;
    }
    if (f[i] !== a[i]) return false;
  }
  return f.length === a.length;
}
