import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional } from 'class-validator';

export class PluginInstallationDto {
  @ApiPropertyOptional({ description: 'switches the plugin on or off for the dealer; absent: unchanged (on when never set)' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    description:
      "the dealer's settings, validated against the plugin's settingsSchema; they replace the stored ones. " +
      'A secret setting left out (or given as {"set": true}, as GET shows it) keeps its stored value; null clears it. ' +
      'Absent: settings unchanged.',
    example: { url: 'https://crm.example.test/forecourt', secret: 'a-long-shared-signing-secret' },
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;
}
