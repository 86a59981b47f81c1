import { Injectable, NotFoundException, PipeTransform } from '@nestjs/common';
import { fieldError } from '../common/problem';
import { EXTERNAL_ID_PATTERN } from '../common/validators';

/** An external id in a path that could never have been stored is simply not found. */
@Injectable()
export class ExternalIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!EXTERNAL_ID_PATTERN.test(value)) throw new NotFoundException('not found');
    return value;
  }
}

/** On a PUT the external id names a record to be written: a bad one is a 400 naming the field. */
@Injectable()
export class NewExternalIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!EXTERNAL_ID_PATTERN.test(value)) {
      throw fieldError('externalId', 'must be 1 to 100 letters, digits or . _ : - /, starting with a letter or digit');
    }
    return value;
  }
}
