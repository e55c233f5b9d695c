import { Box, Flex, Typography } from '@strapi/design-system';
import type { ActivitySummary } from '../api';
import type { Translate } from '../utils/useT';

const HEIGHT = 120;
const BAR_GAP = 1;
const SIGN_IN = '#4945ff'; // primary600
const REFUSAL = '#d02b20'; // danger600

/**
 * Sign-ins and refusals per day, two bars a day, drawn as SVG straight from
 * the summary (no chart library: a few rectangles and labels). Each bar has a
 * <title> with its day and count for a tooltip and for screen readers.
 */
export function ActivityChart({ days, t }: { days: ActivitySummary['days']; t: Translate }) {
  const max = Math.max(1, ...days.map((d) => Math.max(d.signIns, d.refusals)));
  const slot = Math.max(4, Math.min(40, Math.floor(720 / Math.max(1, days.length))));
  const bar = Math.max(1, (slot - 2 * BAR_GAP) / 2);
  const width = days.length * slot;
  const y = (count: number) => HEIGHT - Math.round((count / max) * HEIGHT);
  const total = days.reduce((sum, d) => ({ signIns: sum.signIns + d.signIns, refusals: sum.refusals + d.refusals }), { signIns: 0, refusals: 0 });
  const label = t('activity.chart.label', 'Sign-ins and refusals per day, {from} to {to}: {signIns} sign-ins, {refusals} refusals', {
    from: days[0]?.day ?? '',
    to: days[days.length - 1]?.day ?? '',
    signIns: total.signIns,
    refusals: total.refusals,
  });
  return (
    <Box background="neutral0" padding={4} hasRadius shadow="tableShadow" data-activity="chart">
      <Flex gap={4} paddingBottom={2} alignItems="center">
        <Typography variant="sigma" textColor="neutral600">
          {t('activity.chart.title', 'Per day')}
        </Typography>
        <Flex gap={1} alignItems="center">
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" fill={SIGN_IN} />
          </svg>
          <Typography variant="pi">{t('activity.chart.signIns', 'Sign-ins ({count})', { count: total.signIns })}</Typography>
        </Flex>
        <Flex gap={1} alignItems="center">
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" fill={REFUSAL} />
          </svg>
          <Typography variant="pi">{t('activity.chart.refusals', 'Refusals ({count})', { count: total.refusals })}</Typography>
        </Flex>
      </Flex>
      <Box style={{ overflowX: 'auto' }}>
        <svg role="img" aria-label={label} width={Math.max(width, 80) + 40} height={HEIGHT + 20} viewBox={`0 0 ${Math.max(width, 80) + 40} ${HEIGHT + 20}`}>
          <text x={width + 4} y={10} fontSize="10" fill="#666687">
            {max}
          </text>
          <line x1={0} x2={width} y1={HEIGHT + 0.5} y2={HEIGHT + 0.5} stroke="#dcdce4" />
          {days.map((d, i) => (
            <g key={d.day} data-day={d.day} data-sign-ins={d.signIns} data-refusals={d.refusals}>
              <rect x={i * slot + BAR_GAP} y={y(d.signIns)} width={bar} height={HEIGHT - y(d.signIns)} fill={SIGN_IN}>
                <title>{t('activity.chart.barSignIns', '{day}: {count} sign-ins', { day: d.day, count: d.signIns })}</title>
              </rect>
              <rect x={i * slot + BAR_GAP + bar} y={y(d.refusals)} width={bar} height={HEIGHT - y(d.refusals)} fill={REFUSAL}>
                <title>{t('activity.chart.barRefusals', '{day}: {count} refusals', { day: d.day, count: d.refusals })}</title>
              </rect>
            </g>
          ))}
          <text x={0} y={HEIGHT + 14} fontSize="10" fill="#666687">
            {days[0]?.day}
          </text>
          {days.length > 1 ? (
            <text x={width} y={HEIGHT + 14} fontSize="10" fill="#666687" textAnchor="end">
              {days[days.length - 1]?.day}
            </text>
          ) : null}
        </svg>
      </Box>
    </Box>
  );
}
