/** How the audit log names an Instagram account. */
export function accountAuditTarget(accountId: string): { type: string; id: string } {
  return { type: 'instagram_account', id: accountId };
}
