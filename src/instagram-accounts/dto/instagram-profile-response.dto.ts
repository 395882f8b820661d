import { ApiProperty } from '@nestjs/swagger';

/**
 * One recent post, with Meta's own field names (as the original service passed them
 * through); a field Meta did not return is null.
 */
export class InstagramMediaDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  caption!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'IMAGE',
    description: 'As Meta reports it: `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`',
  })
  media_type!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The image or video (of a carousel album: its first item)',
  })
  media_url!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Cover image of a video' })
  thumbnail_url!: string | null;

  @ApiProperty({ type: String, nullable: true })
  permalink!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2024-05-01T18:10:00+0000',
    description: 'As Meta reports it',
  })
  timestamp!: string | null;
}

/** The account's live profile and most recent media, as Meta reports them. */
export class InstagramProfileResponseDto {
  @ApiProperty()
  username!: string;

  @ApiProperty({ type: String, nullable: true })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true })
  biography!: string | null;

  @ApiProperty({ type: String, nullable: true })
  website!: string | null;

  @ApiProperty({ type: String, nullable: true })
  profilePictureUrl!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  followersCount!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  mediaCount!: number | null;

  @ApiProperty({ type: [InstagramMediaDto] })
  media!: InstagramMediaDto[];
}
