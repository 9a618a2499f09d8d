/** Hand-made gateway alerts for the scorer's tests. */
import type { GatewayAlert } from '../../field/match.ts';

export function alert(
  id: string,
  kind: string,
  atMs: number,
  where: Partial<GatewayAlert['location']>,
  deviceId: string | null = null,
): GatewayAlert {
  return {
    id,
    kind,
    severity: 'critical',
    eventTs: new Date(atMs).toISOString(),
    location: where,
    source: { deviceId, rule: null, model: null },
    incidentId: `inc-${id}`,
  };
}
