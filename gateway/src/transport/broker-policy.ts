/**
 * Who may connect, publish and subscribe on the embedded broker. Deny by default:
 * - devices (username = device id) publish only under their own `weige/{deviceId}/…` or a vendor
 *   topic their codec maps to their own id, and subscribe only to their own command topic;
 * - a device must connect with its own id as client id, and nobody else may use a device's id,
 *   since a second connection with the same client id takes the first one's place (issue 14);
 * - service accounts (simulator, Node-RED, dashboards) get exactly the filters in the site file;
 * - anonymous clients are refused unless the site allows them, and then act as devices that may
 *   publish for any device id, but never subscribe to alerts or incidents;
 * - `$SYS/` and the gateway's own output topics are never publishable by clients.
 * CONNECTs are throttled per client id and, for wrong passwords, per address (`TokenBuckets`).
 */
import type { SiteIndex } from '../site/site-index.ts';
import type { Clock } from '../core/clock.ts';
import { TokenBuckets } from '../core/login-guard.ts';
import type { Metrics } from '../core/metrics.ts';
import { WeigeError } from '../core/errors.ts';
import { secretMatches, type PasswordChecker } from '../core/passwords.ts';
import type { GeneratedHashes } from '../config/generated-secrets.ts';
import type { MqttAccount } from '../contracts/site.ts';
import { parseDeviceTopic, topicMatches } from '../contracts/topics.ts';

export type ClientIdentity =
  { type: 'device'; deviceId: string } | { type: 'service'; account: MqttAccount } | { type: 'anonymous' };

/** Maps a vendor topic to the device id it carries, or null (supplied by the codec registry). */
export type VendorTopicResolver = (topic: string) => string | null;

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3 that a refusal may carry. */
export const CONNACK = { IDENTIFIER_REJECTED: 2, SERVER_UNAVAILABLE: 3, BAD_CREDENTIALS: 4 } as const;

export interface ConnectAttempt {
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
  /** The remote address, for throttling. */
  address: string;
}

export type ConnectDecision =
  | { identity: ClientIdentity }
  | { refused: (typeof CONNACK)[keyof typeof CONNACK]; reason: string; message: string };

export interface BrokerPolicyDeps {
  site: SiteIndex;
  vendorDeviceId: VendorTopicResolver;
  passwords: PasswordChecker;
  /** Generated secrets (site `mqtt.generatedSecrets`), accepted next to the site's hashes. */
  generated: GeneratedHashes | null;
  clock: Clock;
  metrics: Metrics;
  limits: { mqttConnectsPerClientPerMin: number; loginFailuresPerIpPerMin: number };
}

export class BrokerPolicy {
  private readonly site: SiteIndex;
  private readonly vendorDeviceId: VendorTopicResolver;
  private readonly clientConnects: TokenBuckets;
  /** Wrong passwords per address: each attempt takes one, a correct password gives it back. No per-account
   *  lockout on MQTT: anyone who reads a meter's label could keep it offline with one. */
  private readonly addressFailures: TokenBuckets;

  constructor(private readonly deps: BrokerPolicyDeps) {
    this.site = deps.site;
    this.vendorDeviceId = deps.vendorDeviceId;
    this.clientConnects = new TokenBuckets(deps.limits.mqttConnectsPerClientPerMin, deps.clock);
    this.addressFailures = new TokenBuckets(deps.limits.loginFailuresPerIpPerMin, deps.clock);
  }

  /** Checks a CONNECT: the identity, or the refusal with its CONNACK code. */
  async authenticate(attempt: ConnectAttempt): Promise<ConnectDecision> {
    const decision = await this.decide(attempt);
    if ('refused' in decision)
      this.deps.metrics.loginsRefused.inc({ channel: 'mqtt', reason: decision.reason });
    return decision;
  }

  private async decide({ clientId, username, password, address }: ConnectAttempt): Promise<ConnectDecision> {
    const waitS = this.clientConnects.take(clientId);
    if (waitS)
      return refuse(
        CONNACK.SERVER_UNAVAILABLE,
        'client_throttled',
        `client id reconnecting too often; wait ${waitS} s`,
      );
    const identity = await this.checkCredentials(username, password, address);
    if ('refused' in identity) return identity;
    const ownId = identity.type === 'device' ? identity.deviceId : null;
    if (ownId !== null ? clientId !== ownId : this.site.device(clientId) !== undefined)
      return refuse(
        CONNACK.IDENTIFIER_REJECTED,
        'client_id_mismatch',
        ownId !== null
          ? `device '${ownId}' must connect with client id '${ownId}'`
          : `client id '${clientId}' belongs to a device`,
      );
    return { identity };
  }

  private async checkCredentials(
    username: string | undefined,
    password: Buffer | undefined,
    address: string,
  ): Promise<ClientIdentity | Extract<ConnectDecision, { refused: number }>> {
    const mqtt = this.site.site.mqtt;
    if (username === undefined || username === '')
      return mqtt.allowAnonymous
        ? { type: 'anonymous' }
        : refuse(CONNACK.BAD_CREDENTIALS, 'bad_credentials', 'credentials required');
    const waitS = this.addressFailures.take(address);
    if (waitS)
      return refuse(
        CONNACK.SERVER_UNAVAILABLE,
        'address_throttled',
        `too many wrong passwords from this address; wait ${waitS} s`,
      );
    const secret = password?.toString('utf8') ?? '';
    const account = mqtt.accounts.find((a) => a.username === username);
    const device = account ? undefined : this.site.device(username);
    // An unknown name is checked against a dummy hash: a refusal takes as long either way.
    const hash =
      account?.passwordHash ?? (device ? (device.mqttPasswordHash ?? mqtt.devicePasswordHash) : null);
    const generated = account
      ? this.deps.generated?.accounts.get(username)
      : device && this.deps.generated?.devices.get(device.id);
    // The generated secret first: it costs microseconds, so a wrong password still costs one scrypt.
    if (generated && secretMatches(secret, generated)) {
      this.addressFailures.giveBack(address);
      return account ? { type: 'service', account } : { type: 'device', deviceId: device!.id };
    }
    let ok: boolean;
    try {
      ok = await this.deps.passwords.verify(secret, hash ?? null);
    } catch (err) {
      this.addressFailures.giveBack(address); // not the client's fault: give the attempt back
      if (err instanceof WeigeError && err.code === 'WEIGE_ERR_AUTH_BUSY')
        return refuse(CONNACK.SERVER_UNAVAILABLE, 'busy', err.message);
      throw err;
    }
    if (!ok) return refuse(CONNACK.BAD_CREDENTIALS, 'bad_credentials', 'bad username or password');
    this.addressFailures.giveBack(address);
    return account ? { type: 'service', account } : { type: 'device', deviceId: device!.id };
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

function refuse(
  code: (typeof CONNACK)[keyof typeof CONNACK],
  reason: string,
  message: string,
): Extract<ConnectDecision, { refused: number }> {
  return { refused: code, reason, message };
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
