import { Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import type { ManagedAccount } from '../../api';
import type { Translate } from '../../utils/useT';
import { Person, when } from './Person';

/** The accounts single sign-on manages: who, last seen, open sessions. */
export function AccountsTable({ accounts, t }: { accounts: ManagedAccount[]; t: Translate }) {
  return (
    <Table colCount={3} rowCount={accounts.length + 1}>
      <Thead>
        <Tr>
          <Th>
            <Typography variant="sigma">{t('sessions.person', 'Person')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('sessions.lastSeen', 'Last seen')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('sessions.open', 'Open sessions')}</Typography>
          </Th>
        </Tr>
      </Thead>
      <Tbody>
        {accounts.map((account) => (
          <Tr key={account.id} data-account={account.email ?? account.id}>
            <Td>
              <Person person={account} t={t} />
            </Td>
            <Td>
              <Typography>{when(account.lastSeenAt)}</Typography>
            </Td>
            <Td>
              <Typography>{account.sessions}</Typography>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
