/** The one place that says which role may do what. */
export const PERMISSIONS = [
  'manage-instagram-accounts',
  'view-conversations',
  'send-messages',
  'view-messages',
  'manage-users',
  'view-logs',
  'manage-queues',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const USER_PERMISSIONS: readonly Permission[] = [
  'manage-instagram-accounts',
  'view-conversations',
  'send-messages',
  'view-messages',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  user: USER_PERMISSIONS,
  admin: [...USER_PERMISSIONS, 'manage-users', 'view-logs', 'manage-queues'],
};

export function roleHasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
