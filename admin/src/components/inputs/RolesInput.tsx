import type { Role } from '../../api';
import { InputFrame, type InputProps } from './InputFrame';
import { RoleSelect } from './RoleSelect';

/** A set of admin roles. */
export function RolesInput(props: InputProps & { value: string[]; roles: Role[]; onChange: (value: string[]) => void }) {
  const { value, roles, onChange, pinned, readOnly, label, t } = props;
  return (
    <InputFrame {...props}>
      <RoleSelect label={label} value={value} roles={roles} disabled={pinned || readOnly} onChange={onChange} t={t} />
    </InputFrame>
  );
}
