import { ApiProperty } from '@nestjs/swagger';

export class InstagramMediaDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  caption!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'IMAGE' })
  mediaType!: string | null;

  @ApiProperty({ type: String, nullable: true })
  mediaUrl!: string | null;

  @ApiProperty({ type: String, nullable: true })
  thumbnailUrl!: string | null;

  @ApiProperty({ type: String, nullable: true })
  permalink!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'As Meta reports it' })
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
