import { Types } from 'mongoose';
import { ownerOf, type OwnerScope } from './owner-scope';

/**
 * Base of every repository of owned data (accounts, conversations, messages...). Each public
 * method takes an {@link OwnerScope} first — `test/repository-scope.spec.ts` fails for one that
 * does not — and builds its filter with {@link ownerFilter}.
 */
export abstract class OwnedDataRepository {
  /** Where the owner's id is stored on this repository's documents. */
  protected abstract readonly ownerField: string;

  /** The filter condition limiting a query to the scope's owner (none for admin/system). */
  protected ownerFilter(scope: OwnerScope): Record<string, Types.ObjectId> {
    const owner = ownerOf(scope);
    return owner === undefined ? {} : { [this.ownerField]: new Types.ObjectId(owner) };
  }
}
