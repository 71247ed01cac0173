// The item container system (seed 004) as the rest of the api-server sees it.
export { containersModule, createContainersModule, containersRouter, type ContainersModuleOptions, type ContainersRouterDeps } from './routes.ts';
export { ContainerService, type ContainerServiceDeps } from './service.ts';
export { characterItemsModule, createCharacterItemsModule, type CharacterItemsModuleOptions } from './character-routes.ts';
export { ContainerReads, visibleContainer, kindOf } from './reads.ts';
export { CorpseLifecycleService, type DeathInput, type DeathResult } from './lifecycle.ts';
export { WearableContainerService } from './wearable.ts';
export { EnvironmentalContainerLoader, loadContainerFromRoomJson, migrateRoomContainerToPostgresql } from './loader.ts';
export { coreEventPublisher, engineCharacterDirectory, ContainerRateLimiter, CONTAINER_RATE_LIMIT } from './adapters.ts';
export * from './persistence.ts';
export * from './errors.ts';
export type { ActorFacts, CharacterDirectory, CharacterLocation, Clock, ContainerEventPort, ContainerLogger, RoomPresence } from './ports.ts';
export { systemClock } from './ports.ts';
export { characterUuid } from './ids.ts';
export { putInventory, getInventory } from './inventory.ts';
