import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, ValidateNested } from 'class-validator';
import {
  dropNestedBlankOptionals,
  optionalProperties,
  withoutBlankOptionals,
} from './blank-optional-fields';
import { createValidationPipe } from './validation.pipe';

class ItemDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsOptional()
  @IsString()
  note?: string;
}

class BaseDto {
  @IsOptional()
  @IsString()
  inherited?: string;
}

class ExampleDto extends BaseDto {
  @IsString()
  @IsNotEmpty()
  required!: string;

  @IsOptional()
  @IsString()
  nickname?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => ItemDto)
  item?: ItemDto;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items?: ItemDto[];
}

describe('blank optional fields', () => {
  it('knows the optional properties of a class, inherited ones included', () => {
    expect([...optionalProperties(ExampleDto)].sort()).toEqual(
      ['inherited', 'item', 'items', 'limit', 'nickname'].sort(),
    );
    expect(optionalProperties(ItemDto)).toEqual(new Set(['note']));
  });

  it('copies a request object without its blank optional properties, leaving the rest', () => {
    const body = { required: '', nickname: '', inherited: '', limit: '', other: '' };
    expect(withoutBlankOptionals(body, ExampleDto)).toEqual({ required: '', other: '' });
    expect(body.nickname).toBe('');
    expect(withoutBlankOptionals({ nickname: ' ' }, ExampleDto)).toEqual({ nickname: ' ' });
    expect(withoutBlankOptionals('', ExampleDto)).toBe('');
    expect(withoutBlankOptionals({ a: '' }, Object)).toEqual({ a: '' });
  });

  it('drops the blank optional properties of nested instances, in arrays too', () => {
    const item = Object.assign(new ItemDto(), { name: '', note: '' });
    const listed = Object.assign(new ItemDto(), { name: 'x', note: '' });
    const entity = Object.assign(new ExampleDto(), { item, items: [listed] });
    dropNestedBlankOptionals(entity);
    expect({ ...item }).toEqual({ name: '' });
    expect({ ...listed }).toEqual({ name: 'x' });
  });
});

describe('the global validation pipe', () => {
  const pipe = createValidationPipe();
  const body = { type: 'body', metatype: ExampleDto } as const;

  it('treats blank optional fields as not given, at every level', async () => {
    const result = (await pipe.transform(
      {
        required: 'yes',
        nickname: '',
        limit: '',
        item: { name: 'a', note: '' },
        items: [{ name: 'b', note: '' }],
      },
      body,
    )) as ExampleDto;
    expect(result).toBeInstanceOf(ExampleDto);
    expect(result).toEqual({ required: 'yes', item: { name: 'a' }, items: [{ name: 'b' }] });
  });

  it('still refuses a blank required field, nested ones too', async () => {
    await expect(pipe.transform({ required: '', nickname: '' }, body)).rejects.toMatchObject({
      details: [{ field: 'required', messages: ['required should not be empty'] }],
    });
    await expect(
      pipe.transform({ required: 'yes', item: { name: '', note: '' } }, body),
    ).rejects.toMatchObject({
      details: [{ field: 'item.name', messages: ['name should not be empty'] }],
    });
  });
});
