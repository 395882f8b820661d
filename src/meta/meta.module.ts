import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { MetaGraphService } from './meta-graph.service';

@Module({
  imports: [HttpModule],
  providers: [MetaGraphService],
  exports: [MetaGraphService],
})
export class MetaModule {}
