import { ApiProperty } from '@nestjs/swagger';

export class UploadImageResponseDto {
  @ApiProperty({ description: 'Public URL of the stored image (usable as a message attachment)' })
  url!: string;

  @ApiProperty({ description: 'Identifier of the stored image' })
  public_id!: string;

  @ApiProperty({
    enum: ['jpg', 'png', 'gif'],
    description: 'Format of the stored image (uploads are normalised to one Meta accepts)',
  })
  format!: 'jpg' | 'png' | 'gif';

  @ApiProperty({ description: 'Width of the stored image, pixels' })
  width!: number;

  @ApiProperty({ description: 'Height of the stored image (one frame of an animation), pixels' })
  height!: number;
}
