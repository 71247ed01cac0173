import { registerHooks } from 'node:module';

// A player's module may live anywhere (`make play CHARACTER=~/my-character.ts`, `dungeon dev`
// on a folder without node_modules), where the SDK's package name does not resolve: point that
// name at this very SDK, so there is one copy of every class whatever the module's path.
const SDK = '@distributed-dungeon/character-sdk';

let registered = false;

export function resolveSdkToThisCopy(): void {
  if (registered) return;
  registered = true;
  const sdkUrl = import.meta.resolve(SDK);
  registerHooks({
    resolve(specifier, context, next) {
      return specifier === SDK ? { url: sdkUrl, shortCircuit: true } : next(specifier, context);
    },
  });
}
