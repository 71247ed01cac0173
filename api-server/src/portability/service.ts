import { randomUUID } from 'node:crypto';
import { ARCHIVE_FORMAT, ARCHIVE_FORMATS_READ, type ArchivePayload, type CharacterArchive, type ExportRequest, type ImportResult } from '@distributed-dungeon/contracts';
import { withTransaction } from '../db/pool.ts';
import type { AppContext } from '../context.ts';
import { appError } from '../http/errors.ts';
import { RegistryService } from '../registry/service.ts';
import { decodePayload, encodePayload, fingerprint } from './archive.ts';
import { belongingsProblem, holdsAnything, itemCount, restoreBelongings, takeBelongings } from './belongings.ts';
import * as repo from './repository.ts';
import { isEd25519PublicKey, platformKey, signPayload, verifyPayload, type PlatformKey } from './signing.ts';

/**
 * Carrying a character between platforms. An export is a departure: the character's items leave
 * with the archive and its key is revoked, so nothing exists twice; an import takes an archive in
 * once, only from an issuer the game master trusts, and only when its signature holds.
 */
export class PortabilityService {
  readonly #ctx: AppContext;
  readonly #registry: RegistryService;
  /** The signing key never changes once made: read from PostgreSQL once per process, not per call. */
  #key: Promise<PlatformKey> | null = null;

  constructor(ctx: AppContext, registry = new RegistryService(ctx)) {
    this.#ctx = ctx;
    this.#registry = registry;
  }

  #platformKey(): Promise<PlatformKey> {
    this.#key ??= platformKey(this.#ctx.db).catch((err: unknown) => {
      this.#key = null; // a failed read (database away) is tried again next time
      throw err;
    });
    return this.#key;
  }

  async issuer(): Promise<{ name: string; publicKey: string; fingerprint: string }> {
    const key = await this.#platformKey();
    return { name: this.#ctx.config.jwt.issuer, publicKey: key.publicKeyPem, fingerprint: fingerprint(key.publicKeyPem) };
  }

  async trust(name: string, publicKey: string): Promise<string> {
    if (!isEd25519PublicKey(publicKey)) throw appError('request.invalid', 'publicKey must be an Ed25519 public key in PEM (SPKI), as GET /api/portability/issuer gives it');
    const fp = fingerprint(publicKey);
    await repo.trustIssuer(this.#ctx.db, { fingerprint: fp, name, publicKey: publicKey.trim() });
    return fp;
  }

  async distrust(fp: string): Promise<void> {
    if (!(await repo.distrustIssuer(this.#ctx.db, fp))) throw appError('not_found', `no trusted issuer with fingerprint ${fp}`);
  }

  trusted(): Promise<repo.TrustedIssuer[]> {
    return repo.listTrustedIssuers(this.#ctx.db);
  }

  /** The character's own export, with its API key. A retry after a failure hands out the same archive. */
  async exportWithKey(rawKey: string, input: ExportRequest): Promise<CharacterArchive> {
    const { characterId, spec } = await this.#registry.authenticateKeyRecord(rawKey);
    const key = await this.#platformKey();
    const archive = await withTransaction(this.#ctx.db, async (tx) => {
      const earlier = await repo.exportOf(tx, characterId);
      if (earlier) return earlier.archive;
      // Everything it holds leaves with it: carried, worn, and inside its worn or carried packs.
      const belongings = await takeBelongings(tx, characterId, new Date());
      const payload: ArchivePayload = {
        exportId: randomUUID(),
        exportedAt: new Date().toISOString(),
        issuer: { name: this.#ctx.config.jwt.issuer, publicKey: key.publicKeyPem },
        character: { characterId, spec, image: input.image },
        state: input.state,
        database: input.database,
        ...belongings,
      };
      const encoded = encodePayload(payload);
      const made: CharacterArchive = { format: ARCHIVE_FORMAT, payload: encoded, signature: signPayload(key, encoded) };
      await repo.recordExport(tx, payload.exportId, characterId, made);
      return made;
    }, { retryConflicts: true }); // a deadlock lost to an item action (same rows, same order) is run again
    // After the commit: the archive exists before the key stops working, so a failure here is
    // repaired by retrying (the same archive comes back and the revocation runs again).
    await this.#registry.revokeKey(characterId);
    this.#ctx.logger.info({ characterId }, 'character exported; its key is revoked and its items left with the archive');
    return archive;
  }

  async exportOf(characterId: string): Promise<CharacterArchive> {
    const found = await repo.exportOf(this.#ctx.db, characterId);
    if (!found) throw appError('portability.not_exported', `${characterId} has not been exported from this platform`);
    return found.archive;
  }

  /** Checks, in order: the format, the payload's shape, the issuer's trust, the signature, the belongings' wholeness, that it is new. */
  async import(archive: CharacterArchive, targetId?: string): Promise<ImportResult> {
    if (!(ARCHIVE_FORMATS_READ as readonly string[]).includes(archive.format)) {
      throw appError('portability.unsupported_format', `format check failed: the archive's format is "${archive.format}"; this platform reads ${ARCHIVE_FORMATS_READ.map((f) => `"${f}"`).join(' and ')}`);
    }
    const decoded = decodePayload(archive.format, archive.payload);
    if (!decoded.ok) throw appError('portability.bad_archive', `payload check failed: ${decoded.problem}`);
    const p = decoded.payload;
    const fp = fingerprint(p.issuer.publicKey);
    const issuer = await repo.trustedIssuer(this.#ctx.db, fp);
    if (!issuer) {
      throw appError(
        'portability.issuer_not_trusted',
        `issuer check failed: the archive was issued by "${p.issuer.name}" (key ${fp}), which this platform's game master does not trust (PUT /api/portability/trusted-issuers)`,
      );
    }
    if (!verifyPayload(issuer.publicKey, archive.payload, archive.signature)) {
      throw appError('portability.bad_signature', `signature check failed: the archive does not carry "${issuer.name}"'s signature over its payload; it was changed after it was signed`);
    }
    // Signed by a trusted issuer and still not whole: its platform made it wrong; refused all the same.
    const problem = belongingsProblem(p);
    if (problem) throw appError('portability.bad_archive', `belongings check failed: ${problem}`);
    const characterId = targetId ?? p.character.characterId;
    await withTransaction(this.#ctx.db, async (tx) => {
      if (!(await repo.recordImport(tx, p.exportId, fp, characterId))) {
        throw appError('portability.already_imported', `archive ${p.exportId} was imported already: a character arrives once`);
      }
      if (await holdsAnything(tx, characterId)) throw appError('portability.inventory_not_empty', `${characterId} already holds or wears items here: import into a new character id`);
      await restoreBelongings(tx, characterId, p);
    });
    this.#ctx.logger.info({ characterId, exportId: p.exportId, issuer: issuer.name }, 'character imported');
    return {
      characterId,
      exportId: p.exportId,
      issuer: issuer.name,
      spec: p.character.spec,
      image: p.character.image,
      state: p.state,
      database: p.database,
      items: itemCount(p),
      equipped: p.equipment.map((e) => e.slot),
    };
  }
}
