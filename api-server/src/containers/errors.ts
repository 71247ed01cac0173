// Typed errors of the container system. They extend the api-server's AppError (http/errors.ts),
// so the one problem+json middleware answers them; codes live in the `container.` namespace.
import { AppError, type FieldError } from '../http/errors.ts';

const TITLES: Record<number, string> = {
  400: 'The request is invalid',
  401: 'Credentials are required',
  403: 'Access to the container is denied',
  404: 'No such container',
  409: 'The container cannot take this change',
  423: 'The container is locked',
  429: 'Too many requests',
  500: 'Internal server error',
};

export class ContainerError extends AppError {
  /** Machine-readable details (also logged in the audit trail). */
  readonly extra: Record<string, unknown>;
  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}, errors?: FieldError[]) {
    super({ status, code, title: TITLES[status] ?? 'Error', detail: message, errors });
    this.name = new.target.name;
    this.extra = extra;
  }
}

/** 400: bad input; `field` names what was wrong. */
export class ContainerValidationError extends ContainerError {
  constructor(message: string, extra: { field?: string; [k: string]: unknown } = {}) {
    super(400, 'container.invalid', message, extra, extra.field ? [{ path: extra.field, message }] : undefined);
  }
}

/** 400: metadata carries personal data that COPPA forbids storing; names the rule that matched. */
export class CoppaViolationError extends ContainerError {
  readonly rule: string;
  constructor(rule: string, path: string) {
    super(400, 'container.coppa_violation', `${path} looks like personal data (COPPA rule: ${rule})`, { rule, field: path }, [
      { path, message: `COPPA rule ${rule}: personal data may not be stored` },
    ]);
    this.rule = rule;
  }
}

export class IdempotencyKeyReusedError extends ContainerError {
  constructor() {
    const message = 'idempotency_key was already used for a different request';
    super(400, 'container.idempotency_key_reused', message, { field: 'idempotency_key' }, [{ path: 'idempotency_key', message }]);
  }
}

/** 403: proximity, ownership, role or corpse grace period refused access. */
export class ContainerAccessDeniedError extends ContainerError {
  constructor(reason: string, message: string) {
    super(403, 'container.access_denied', message, { reason });
  }
}

export class InvalidMutationTokenError extends ContainerError {
  constructor(message = 'mutation_token is unknown, expired or closed; open the container again') {
    super(403, 'container.invalid_mutation_token', message, { field: 'mutation_token' }, [{ path: 'mutation_token', message }]);
  }
}

export class ContainerNotFoundError extends ContainerError {
  constructor(containerId: string) {
    super(404, 'container.not_found', `container ${containerId} does not exist`, { container_id: containerId });
  }
}

/** 409: the destination has no free slot or weight left. */
export class ContainerCapacityExceededError extends ContainerError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(409, 'container.capacity_exceeded', message, extra);
  }
}

/** 409: the source no longer holds what was asked for. */
export class InsufficientItemsError extends ContainerError {
  constructor(itemId: string, wanted: number, available: number) {
    super(409, 'container.insufficient_items', `only ${available} of ${itemId} available, ${wanted} requested`, { item_id: itemId, available });
  }
}

/** 423: locked or sealed. */
export class ContainerLockedError extends ContainerError {
  constructor(lockState: string) {
    super(423, 'container.locked', `the container is ${lockState}`, { lock_state: lockState });
  }
}
