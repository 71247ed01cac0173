import type { CloseContainerResponse, ContainerComponent, LootAllResponse, OpenContainerResponse, TransferDirection, TransferResponse } from '@distributed-dungeon/contracts';

// Item containers (seed 004) as a character's code uses them: open one, move items both ways,
// take everything, close it. The calls go to the api-server's /api/containers routes with the
// character's token (the runtime's RegistryClient is the port); the game's rules apply there
// (a dead character cannot, looting in a fight is refused, a locked chest answers 423).

/** What CharacterBase needs of the API; the runtime's RegistryClient has these methods. */
export interface ContainerPort {
  openContainer(containerId: string): Promise<OpenContainerResponse>;
  transferItems(request: { containerId: string; mutationToken: string; direction: TransferDirection; itemId: string; quantity: number; idempotencyKey?: string }): Promise<TransferResponse>;
  lootAll(containerId: string, mutationToken: string, idempotencyKey?: string): Promise<LootAllResponse>;
  closeContainer(containerId: string, mutationToken: string): Promise<CloseContainerResponse>;
}

/** An open container: what it holds now, and the moves allowed until it is closed or its token expires. */
export class OpenedContainer {
  readonly #port: ContainerPort;
  readonly mutationToken: string;
  /** When the mutation token expires (the container must be opened again after). */
  readonly expiresAt: string;
  #container: ContainerComponent;
  #closed = false;

  constructor(port: ContainerPort, opened: OpenContainerResponse) {
    this.#port = port;
    this.mutationToken = opened.mutation_token;
    this.expiresAt = opened.expires_at;
    this.#container = opened.container;
  }

  get id(): string {
    return this.#container.container_id;
  }

  /** The container as the last answer showed it (items, slots, lock state). */
  get container(): ContainerComponent {
    return this.#container;
  }

  get items(): ContainerComponent['items'] {
    return this.#container.items;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Moves `quantity` of `itemId` from the container into the inventory. */
  async take(itemId: string, quantity = 1): Promise<TransferResponse> {
    return this.#transfer('to_player', itemId, quantity);
  }

  /** Moves `quantity` of `itemId` from the inventory into the container. */
  async put(itemId: string, quantity = 1): Promise<TransferResponse> {
    return this.#transfer('to_container', itemId, quantity);
  }

  /** Everything that fits into the inventory; what does not fit stays (`left_behind`). */
  async lootAll(): Promise<LootAllResponse> {
    this.#assertOpen();
    const res = await this.#port.lootAll(this.id, this.mutationToken);
    this.#container = res.container;
    return res;
  }

  /** Closes it (again is a no-op): others may open it now. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#port.closeContainer(this.id, this.mutationToken);
    this.#closed = true;
  }

  async #transfer(direction: TransferDirection, itemId: string, quantity: number): Promise<TransferResponse> {
    this.#assertOpen();
    if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError(`quantity must be a whole number of at least 1, got ${quantity}`);
    const res = await this.#port.transferItems({ containerId: this.id, mutationToken: this.mutationToken, direction, itemId, quantity });
    this.#container = res.container;
    return res;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`container ${this.id} is closed: open it again`);
  }
}
