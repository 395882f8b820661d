import { messagePreview } from './message-preview';

const empty = { text: null, attachments: [], metadata: {}, unsupported: false };

describe('messagePreview', () => {
  it('keeps short text as it is', () => {
    expect(messagePreview({ ...empty, text: 'Hello there' })).toBe('Hello there');
  });

  it('cuts text to 500 characters without splitting an emoji', () => {
    const text = '\u{1F600}'.repeat(600);
    const preview = messagePreview({ ...empty, text });
    expect(Array.from(preview)).toHaveLength(500);
    expect(preview).toBe('\u{1F600}'.repeat(500));
  });

  it('summarises attachments when there is no text', () => {
    const attachments = [
      { type: 'image', url: 'https://cdn.example.com/a.jpg' },
      { type: 'video', url: 'https://cdn.example.com/b.mp4' },
    ];
    expect(messagePreview({ ...empty, attachments })).toBe('[2 attachment(s)]');
  });

  it('names referrals and unsupported messages', () => {
    expect(messagePreview({ ...empty, metadata: { referral: { ref: 'x' } } })).toBe('[referral]');
    expect(messagePreview({ ...empty, unsupported: true })).toBe('[unsupported message]');
  });
});
