import { RegistryError } from '../../core/errors.js';
import type { ImageRepository } from '../../registry/repository.js';

/** Notes the longest wait a registry asked for (Retry-After on a 429) in the errors of the repositories it watches. */
export class RetryAfterNotes {
  private longest: number | undefined;

  /** Milliseconds; undefined when no rate-limit error said how long to wait. */
  get retryAfterMs(): number | undefined {
    return this.longest;
  }

  /** `repo`, with every rate-limit error it throws noted on the way out. */
  watch(repo: ImageRepository): ImageRepository {
    const noted = <T>(work: Promise<T>) => work.catch((error: unknown) => this.noted(error));
    const { openBlob, headUnlessAt } = repo;
    return {
      name: repo.name,
      ...(repo.location && { location: repo.location }),
      head: (reference) => noted(repo.head(reference)),
      ...(headUnlessAt && {
        headUnlessAt: (reference: string, digest: string) => noted(headUnlessAt.call(repo, reference, digest)),
      }),
      getManifest: (reference) => noted(repo.getManifest(reference)),
      getBlob: (digest, maxBytes) => noted(repo.getBlob(digest, maxBytes)),
      ...(openBlob && { openBlob: (digest: string) => noted(openBlob.call(repo, digest)) }),
      pullSpec: (digest) => repo.pullSpec(digest),
    };
  }

  private noted(error: unknown): never {
    if (error instanceof RegistryError && error.retryAfterMs !== undefined) {
      this.longest = Math.max(this.longest ?? 0, error.retryAfterMs);
    }
    throw error;
  }
}
