/**
 * The stages the API serves, each through its facade. A stage the gateway does not run (a test
 * gateway built with fewer modules) has no routes; a facade asked for before its stage started
 * throws, and the route answers with that error.
 */
import { AlertingModule } from '../alerting/module.ts';
import type { AlertingFacade } from '../alerting/facade.ts';
import { ChannelsModule } from '../channels/module.ts';
import type { ChannelsFacade } from '../channels/facade.ts';
import type { ModelsFacade } from '../detectors/models/facade.ts';
import { ModelsModule } from '../detectors/models/models-module.ts';
import type { RulesFacade } from '../detectors/rules/facade.ts';
import { RulesModule } from '../detectors/rules/module.ts';
import type { GatewayModule } from '../module.ts';
import type { PrivacyFacade } from '../privacy/facade.ts';
import { PrivacyModule } from '../privacy/module.ts';
import { UiModule, type DashboardsFacade } from '../ui/ui-module.ts';

export interface ApiStages {
  alerting?: () => AlertingFacade;
  rules?: RulesFacade;
  models?: ModelsFacade;
  channels?: () => ChannelsFacade;
  privacy?: () => PrivacyFacade;
  dashboards?: DashboardsFacade;
}

/** The facades of the stages among `modules` (the composition root's list). */
export function facadesOf(modules: readonly GatewayModule[]): ApiStages {
  const stages: ApiStages = {};
  for (const m of modules) {
    if (m instanceof AlertingModule) stages.alerting = () => m.facade();
    else if (m instanceof RulesModule) stages.rules = m.facade();
    else if (m instanceof ModelsModule) stages.models = m.facade();
    else if (m instanceof ChannelsModule) stages.channels = () => m.facade();
    else if (m instanceof PrivacyModule) stages.privacy = () => m.facade();
    else if (m instanceof UiModule) stages.dashboards = m.facade();
  }
  return stages;
}
