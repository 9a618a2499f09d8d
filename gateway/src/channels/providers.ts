/**
 * SMS and voice calls through a provider adapter. An adapter turns a PersonalMessage (phone number,
 * title, lines, link) into one provider call and says whether the provider took it. The `http`
 * adapter posts JSON to the operator's own SMS/voice gateway — the shape most Chinese providers'
 * relay services (阿里云/腾讯云 SMS behind a small proxy holding the template ids) accept:
 *   POST url {mode: "sms"|"voice", to, text, link, incidentId}  →  2xx {ok: true} or {code: 0}
 * Other providers add an adapter here, keyed by `type`.
 */
import type { PersonalMessage } from './app-messages.ts';
import type { ProviderConfig } from './config.ts';
import { exchange, type Endpoint } from './delivery-queue.ts';

export type ProviderAdapter = (
  config: ProviderConfig,
  access: { url: string; token: string | null },
) => Endpoint;

const httpAdapter: ProviderAdapter = (config, access) => ({
  id: config.id,
  maxAttempts: config.maxAttempts,
  backoffS: config.backoffS,
  async attempt(message) {
    const m = message as PersonalMessage & { incidentId?: string };
    if (!m.to) return { outcome: 'no_address', statusCode: null, error: 'no phone number' };
    const answer = await exchange(
      access.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(access.token ? { authorization: `Bearer ${access.token}` } : {}),
        },
        body: JSON.stringify({
          mode: config.mode,
          to: m.to,
          // A voice call reads the title; an SMS carries the link too.
          text: config.mode === 'voice' ? m.title : [m.title, ...m.lines, m.link].join('\n'),
          link: m.link,
          incidentId: m.incidentId ?? null,
        }),
      },
      config.timeoutS,
    );
    if ('outcome' in answer) return answer;
    if (answer.status < 200 || answer.status >= 300)
      return { outcome: 'http_error', statusCode: answer.status, error: `HTTP ${answer.status}` };
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(answer.text) as Record<string, unknown>;
    } catch {
      return {
        outcome: 'api_error',
        statusCode: answer.status,
        error: 'provider answered with something that is not JSON',
      };
    }
    const ok = body.ok === true || body.code === 0;
    return ok
      ? { outcome: 'ok', statusCode: answer.status, error: null }
      : {
          outcome: 'api_error',
          statusCode: answer.status,
          error: `provider refused: ${JSON.stringify(body).slice(0, 200)}`,
        };
  },
});

export const PROVIDER_ADAPTERS: Record<ProviderConfig['type'], ProviderAdapter> = { http: httpAdapter };
