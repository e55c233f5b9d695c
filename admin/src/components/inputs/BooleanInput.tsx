import { Toggle } from '@strapi/design-system';
import { InputFrame, type InputProps } from './InputFrame';

/** An on/off option. */
export function BooleanInput(props: InputProps & { value: boolean; onChange: (value: boolean) => void }) {
  const { value, onChange, pinned, readOnly, t } = props;
  return (
    <InputFrame {...props}>
      <Toggle
        checked={value}
        disabled={pinned || readOnly}
        onLabel={t('settings.toggle.on', 'On')}
        offLabel={t('settings.toggle.off', 'Off')}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
    </InputFrame>
  );
}
