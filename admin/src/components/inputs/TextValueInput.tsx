import { TextInput } from '@strapi/design-system';
import { InputFrame, type InputProps } from './InputFrame';

/** A text, number or URL option. */
export function TextValueInput(
  props: InputProps & { value: string; onChange: (value: string) => void; placeholder?: string; type?: string },
) {
  const { value, onChange, pinned, readOnly, placeholder, type = 'text' } = props;
  return (
    <InputFrame {...props}>
      <TextInput
        type={type}
        value={value}
        placeholder={placeholder}
        disabled={pinned || readOnly}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
    </InputFrame>
  );
}
