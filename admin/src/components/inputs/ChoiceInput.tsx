import { SingleSelect, SingleSelectOption } from '@strapi/design-system';
import { InputFrame, type InputProps } from './InputFrame';

/** One of a fixed set of values. */
export function ChoiceInput(
  props: InputProps & { value: string; choices: readonly string[]; choiceLabel: (choice: string) => string; onChange: (value: string) => void },
) {
  const { value, choices, choiceLabel, onChange, pinned, readOnly, label } = props;
  return (
    <InputFrame {...props}>
      <SingleSelect aria-label={label} value={value} disabled={pinned || readOnly} onChange={(next) => onChange(String(next))}>
        {choices.map((choice) => (
          <SingleSelectOption key={choice} value={choice}>
            {choiceLabel(choice)}
          </SingleSelectOption>
        ))}
      </SingleSelect>
    </InputFrame>
  );
}
