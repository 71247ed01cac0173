import { actionsModule } from './actions/routes.ts';
import { containersModule } from './containers/routes.ts';
import type { ApiModule } from './http/module.ts';
import { registryModule } from './registry/routes.ts';
import { sessionsModule } from './sessions/routes.ts';

/** The routers mounted by default, in order. A feature adds itself with one line here. */
export const DEFAULT_MODULES: ApiModule[] = [registryModule, sessionsModule, actionsModule, containersModule];
