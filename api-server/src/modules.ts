import { actionsModule } from './actions/routes.ts';
import { characterItemsModule } from './containers/character-routes.ts';
import { containersModule } from './containers/routes.ts';
import { engineForwardingModule } from './engine/forwarding.ts';
import { equipmentModule } from './equipment/routes.ts';
import { gmModule } from './gm/routes.ts';
import type { ApiModule } from './http/module.ts';
import { humansModule, webClientModule } from './humans/index.ts';
import { portabilityModule } from './portability/routes.ts';
import { registryModule } from './registry/routes.ts';
import { sessionsModule } from './sessions/routes.ts';

/** The routers mounted by default, in order. A feature adds itself with one line here. */
// Humans go first: their cookie sessions become the bearer credentials the other modules check.
// The web client goes last: it serves files only where no API route answered.
export const DEFAULT_MODULES: ApiModule[] = [humansModule, registryModule, sessionsModule, actionsModule, containersModule, characterItemsModule, equipmentModule, gmModule, portabilityModule, engineForwardingModule, webClientModule];
