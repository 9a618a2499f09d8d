/**
 * The stages the gateway runs on top of the core, in start order. Each stage adds one line here.
 */
import type { ModuleFactory } from './module.ts';
import { RulesModule } from './detectors/rules/module.ts';

export const MODULES: ModuleFactory[] = [() => new RulesModule()];
