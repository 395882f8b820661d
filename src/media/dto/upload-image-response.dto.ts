import { ApiProperty } from '@nestjs/swagger';

export class UploadImageResponseDto {
  @ApiProperty({ description: 'Public URL of the stored image (usable as a message attachment)' })
  url!: string;

  @ApiProperty({ description: 'Identifier of the stored image' })
  public_id!: string;

  @ApiProperty({ enum: ['jpg', 'png', 'gif', 'webp'] })
  format!: string;

  @ApiProperty()
  width!: number;

  @ApiProperty()
  height!: number;
}
