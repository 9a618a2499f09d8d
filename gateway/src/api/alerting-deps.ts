/** What every alerting route is given: the context and the running stage's facade. */
import type { AlertingFacade } from '../alerting/facade.ts';
import type { GatewayContext } from '../context.ts';

export type AlertingDeps = { ctx: GatewayContext; service: () => AlertingFacade };
