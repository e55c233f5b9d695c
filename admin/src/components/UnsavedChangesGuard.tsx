import { useEffect } from 'react';
import { Button, Dialog } from '@strapi/design-system';
import { WarningCircle } from '@strapi/icons';
import { useIntl } from 'react-intl';
import { useBlocker } from 'react-router-dom';

/**
 * Strapi's own pattern (its Form's Blocker): leaving the page inside the panel
 * with unsaved edits asks first; closing or reloading the tab gets the
 * browser's prompt.
 */
export function UnsavedChangesGuard({ when }: { when: boolean }) {
  const { formatMessage } = useIntl();
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      when && (currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search),
  );

  useEffect(() => {
    if (!when) return undefined;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Chrome still needs returnValue set for the prompt.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [when]);

  if (blocker.state !== 'blocked') return null;
  return (
    <Dialog.Root
      open
      onOpenChange={(open) => {
        if (!open) blocker.reset();
      }}
    >
      <Dialog.Content>
        <Dialog.Header>{formatMessage({ id: 'app.components.ConfirmDialog.title', defaultMessage: 'Confirmation' })}</Dialog.Header>
        <Dialog.Body icon={<WarningCircle width="24px" height="24px" fill="danger600" />} textAlign="center">
          {formatMessage({ id: 'global.prompt.unsaved', defaultMessage: 'You have unsaved changes, are you sure you want to leave?' })}
        </Dialog.Body>
        <Dialog.Footer>
          <Dialog.Cancel>
            <Button variant="tertiary" fullWidth>
              {formatMessage({ id: 'app.components.Button.cancel', defaultMessage: 'Cancel' })}
            </Button>
          </Dialog.Cancel>
          <Button fullWidth variant="danger" onClick={() => blocker.proceed()}>
            {formatMessage({ id: 'app.components.Button.confirm', defaultMessage: 'Confirm' })}
          </Button>
        </Dialog.Footer>
      </Dialog.Content>
    </Dialog.Root>
  );
}
