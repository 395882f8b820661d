import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Schema as MongooseSchema, Types } from 'mongoose';

export const AUDIT_ACTIONS = [
  'user.registered',
  'user.login',
  'user.login_failed',
  'user.logout',
  'user.refresh_token_reused',
  'user.password_reset_requested',
  'user.password_reset',
  'user.password_changed',
  'user.email_verification_sent',
  'user.email_verified',
  'user.updated',
  'user.created',
  'user.role_changed',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'instagram_account.connected',
  'instagram_account.reconnected',
  'instagram_account.updated',
  'instagram_account.removed',
  'instagram_account.reconnect_required',
  'instagram_account.webhook_subscription_failed',
  'instagram_account.token_refreshed',
  'message.sent',
  'inbox.read_by_admin',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A sub-schema, so the `type` field is not read as the path's type. */
const AuditTargetSchema = new MongooseSchema(
  { type: { type: String }, id: { type: String } },
  { _id: false },
);

@Schema({ timestamps: { createdAt: true, updatedAt: false }, collection: 'audit_logs' })
export class AuditLog {
  _id!: Types.ObjectId;

  @Prop({ type: String, required: true, enum: AUDIT_ACTIONS })
  action!: AuditAction;

  /** Who did it (absent for anonymous or system actions). */
  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'User' })
  actor?: Types.ObjectId;

  /** The user the event is about (the actor's own id for self-service events). */
  @Prop({ type: MongooseSchema.Types.ObjectId, ref: 'User' })
  subjectUser?: Types.ObjectId;

  /** e.g. { type: 'instagram_account', id } */
  @Prop({ type: AuditTargetSchema })
  target?: { type: string; id: string };

  @Prop()
  ip?: string;

  @Prop()
  userAgent?: string;

  /** Non-secret context (e.g. the email tried on a failed login, a changed role). */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  metadata!: Record<string, unknown>;

  createdAt!: Date;
}

export type AuditLogDocument = HydratedDocument<AuditLog>;
export const AuditLogSchema = SchemaFactory.createForClass(AuditLog);

// GET /v1/logs: newest first, optionally by action.
AuditLogSchema.index({ createdAt: -1 });
AuditLogSchema.index({ action: 1, createdAt: -1 });
// GET /v1/logs?userId=: a user's events newest first.
AuditLogSchema.index({ subjectUser: 1, createdAt: -1 });
