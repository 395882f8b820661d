import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueInspectionModule } from '../queue-admin/queue-inspection.module';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueMetrics } from './queue-metrics';

/** Prometheus metrics (global: any module records through {@link MetricsService}). */
@Global()
@Module({
  imports: [DiscoveryModule, QueueInspectionModule],
  controllers: [MetricsController],
  providers: [MetricsService, HttpMetrics, QueueMetrics],
  exports: [MetricsService],
})
export class MetricsModule {}
