/**
 * Whose data a repository call may read or write. Every method of a repository of owned data
 * (see {@link OwnedDataRepository}) takes one as its first argument, so leaving the owner out
 * does not compile, and reaching across owners is a value that can be seen in the code:
 * - `owner`: the caller's own data (or, for background work, the owner of the account the work
 *   is for);
 * - `admin`: an admin reading across owners where the product allows it (written to the audit
 *   log by the service that grants it);
 * - `system`: background upkeep that spans every owner (purges, sweeps), naming why.
 */
export type OwnerScope =
  | { readonly kind: 'owner'; readonly ownerId: string }
  | { readonly kind: 'admin'; readonly adminId: string }
  | { readonly kind: 'system'; readonly reason: string };

export function ownerScope(ownerId: string): OwnerScope {
  return { kind: 'owner', ownerId };
}

export function adminScope(adminId: string): OwnerScope {
  return { kind: 'admin', adminId };
}

export function systemScope(reason: string): OwnerScope {
  return { kind: 'system', reason };
}

/** The one owner a scope is limited to, or undefined when it spans owners (admin, system). */
export function ownerOf(scope: OwnerScope): string | undefined {
  return scope.kind === 'owner' ? scope.ownerId : undefined;
}

/** An admin reading data that belongs to someone else (the caller audits it). */
export function crossesOwner(scope: OwnerScope, ownerId: string): boolean {
  return scope.kind === 'admin' && scope.adminId !== ownerId;
}
