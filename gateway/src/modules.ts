/**
 * The stages the gateway runs on top of the core, in start order. Each stage adds one line here.
 */
import type { ModuleFactory } from './module.ts';
import { createAlertingModule } from './alerting/module.ts';
import { createChannelsModule } from './channels/module.ts';
import { uiModule } from './ui/ui-module.ts';
import { RulesModule } from './detectors/rules/module.ts';
import { createModelsModule } from './detectors/models/models-module.ts';
import { createStreetLinkModule } from './street-link/module.ts';
import { createPrivacyModule } from './privacy/module.ts';

export const MODULES: ModuleFactory[] = [
  // Channels, then alerting, start before the detectors so no detection or alert goes unheard.
  createChannelsModule,
  createAlertingModule,
  () => new RulesModule(),
  () => createModelsModule(),
  createPrivacyModule,
  uiModule,
  // Last: it applies street actions through alerting and reports what the stages did.
  createStreetLinkModule,
];
