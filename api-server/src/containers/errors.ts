// Typed errors of the container system. They extend the api-server's AppError, and their codes
// (the `container.` namespace) are entries of the one catalogue in http/errors.ts, which gives
// each its status and title: the problem+json middleware answers them like any other.
import { AppError, CATALOGUE, type ErrorCode, type FieldError } from '../http/errors.ts';

type ContainerCode = Extract<ErrorCode, `container.${string}`>;

export class ContainerError extends AppError {
  /** Machine-readable details (also logged in the audit trail). */
  readonly extra: Record<string, unknown>;
  constructor(code: ContainerCode, message: string, extra: Record<string, unknown> = {}, errors?: FieldError[]) {
    super({ ...CATALOGUE[code], code, detail: message, errors });
    this.name = new.target.name;
    this.extra = extra;
  }
}

/** 400: bad input; `field` names what was wrong. */
export class ContainerValidationError extends ContainerError {
  constructor(message: string, extra: { field?: string; [k: string]: unknown } = {}) {
    super('container.invalid', message, extra, extra.field ? [{ path: extra.field, message }] : undefined);
  }
}

/** 400: metadata carries personal data that COPPA forbids storing; names the rule that matched. */
export class CoppaViolationError extends ContainerError {
  readonly rule: string;
  constructor(rule: string, path: string) {
    super('container.coppa_violation', `${path} looks like personal data (COPPA rule: ${rule})`, { rule, field: path }, [
      { path, message: `COPPA rule ${rule}: personal data may not be stored` },
    ]);
    this.rule = rule;
  }
}

export class IdempotencyKeyReusedError extends ContainerError {
  constructor() {
    const message = 'idempotency_key was already used for a different request';
    super('container.idempotency_key_reused', message, { field: 'idempotency_key' }, [{ path: 'idempotency_key', message }]);
  }
}

/** 403: proximity, ownership, role or corpse grace period refused access. */
export class ContainerAccessDeniedError extends ContainerError {
  constructor(reason: string, message: string) {
    super('container.access_denied', message, { reason });
  }
}

export class InvalidMutationTokenError extends ContainerError {
  constructor(message = 'mutation_token is unknown, expired or closed; open the container again') {
    super('container.invalid_mutation_token', message, { field: 'mutation_token' }, [{ path: 'mutation_token', message }]);
  }
}

export class ContainerNotFoundError extends ContainerError {
  constructor(containerId: string) {
    super('container.not_found', `container ${containerId} does not exist`, { container_id: containerId });
  }
}

/** 409: the destination has no free slot or weight left. */
export class ContainerCapacityExceededError extends ContainerError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('container.capacity_exceeded', message, extra);
  }
}

/** 409: the source no longer holds what was asked for. */
export class InsufficientItemsError extends ContainerError {
  constructor(itemId: string, wanted: number, available: number) {
    super('container.insufficient_items', `only ${available} of ${itemId} available, ${wanted} requested`, { item_id: itemId, available });
  }
}

/** 423: locked or sealed. */
export class ContainerLockedError extends ContainerError {
  constructor(lockState: string) {
    super('container.locked', `the container is ${lockState}`, { lock_state: lockState });
  }
}

/** 409: the game forbids it now: the character is dead, or a fight is going on in its room. */
export class ContainerStateError extends ContainerError {
  constructor(code: 'container.character_dead' | 'container.in_combat', message: string) {
    super(code, message, { reason: code === 'container.in_combat' ? 'in_combat' : 'dead' });
  }
}
