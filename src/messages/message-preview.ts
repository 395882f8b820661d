import type { MessageContent } from './messaging-events';

export const PREVIEW_MAX_CHARACTERS = 500;

/** The conversation's `lastMessage` for a message: its text cut to 500 characters, or a summary. */
export function messagePreview(
  content: Pick<MessageContent, 'text' | 'attachments' | 'metadata' | 'unsupported'>,
): string {
  if (content.text) {
    const characters = Array.from(content.text);
    return characters.length > PREVIEW_MAX_CHARACTERS
      ? characters.slice(0, PREVIEW_MAX_CHARACTERS).join('')
      : content.text;
  }
  if (content.attachments.length > 0) return `[${content.attachments.length} attachment(s)]`;
  if (content.metadata.referral !== undefined) return '[referral]';
  if (content.unsupported) return '[unsupported message]';
  return '[message]';
}
