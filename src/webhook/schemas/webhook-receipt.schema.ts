import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * That an update was received, kept for `WEBHOOK_RETENTION_HOURS` after its entry is applied
 * and removed from the inbox: a redelivery of it (same dedupe key) is refused by this
 * collection's `_id`, in one insert, however large it grows.
 */
@Schema({ collection: 'webhook_receipts', versionKey: false })
export class WebhookReceipt {
  /** The update's dedupe key. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: Date, required: true })
  receivedAt!: Date;
}

export const WebhookReceiptSchema = SchemaFactory.createForClass(WebhookReceipt);

// Purge of receipts past retention.
WebhookReceiptSchema.index({ receivedAt: 1 });
