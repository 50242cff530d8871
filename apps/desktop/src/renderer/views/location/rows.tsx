// One row of the location list: pick the place, see how many relays it has, open it, star it.
import { useId, type ReactNode } from 'react';
import { ChevronIcon, StarIcon } from '../../components/icons';
import type { LatencyGrade } from '../../model/latency';

interface RowProps {
  /** The place's name: the pick button's whole accessible name. */
  name: string;
  /** Said after the name (relay count, "offline", the city of a favourite). */
  description: string;
  level: 'country' | 'city' | 'relay';
  selected: boolean;
  /** No active relay: greyed, and cannot be picked. */
  inactive: boolean;
  onPick: () => void;
  /** Present for places that open (countries, cities). */
  expand?: { expanded: boolean; label: string; controls: string; onToggle: () => void };
  /** Present for places that can be starred (cities, relays). */
  favourite?: { starred: boolean; onToggle: () => void };
  /** Latency where measured; nothing otherwise. */
  latency?: { text: string; grade: LatencyGrade } | undefined;
  /** The name never gives way (rows whose name is the point, such as "Fastest relay"). */
  wholeName?: boolean;
}

export function LocationRow(props: RowProps): ReactNode {
  const { name, description, level, selected, inactive, onPick, expand, favourite, latency, wholeName } =
    props;
  const descriptionId = useId();
  const latencyId = useId();
  const classes = ['location-row', `location-row--${level}`];
  if (inactive) classes.push('location-row--inactive');
  if (selected) classes.push('location-row--selected');
  if (wholeName) classes.push('location-row--whole-name');

  return (
    <div className={classes.join(' ')}>
      <button
        type="button"
        className="location-pick"
        data-nav=""
        disabled={inactive}
        aria-current={selected ? 'true' : undefined}
        aria-describedby={latency ? `${descriptionId} ${latencyId}` : descriptionId}
        onClick={onPick}
      >
        <span className={inactive ? 'dot dot--inactive' : 'dot dot--active'} aria-hidden="true" />
        <span className="location-name">{name}</span>
      </button>
      {latency !== undefined && (
        <span id={latencyId} className={`latency latency--${latency.grade}`}>
          {latency.text}
        </span>
      )}
      <span id={descriptionId} className="location-description">
        {description}
      </span>
      {/* Empty slots keep counts, stars and chevrons in columns from row to row. */}
      {!favourite && <span className="slot" aria-hidden="true" />}
      {favourite && (
        <button
          type="button"
          className={favourite.starred ? 'icon-button star star--on' : 'icon-button star'}
          aria-pressed={favourite.starred}
          aria-label={`Favourite ${name}`}
          onClick={favourite.onToggle}
        >
          <StarIcon filled={favourite.starred} />
        </button>
      )}
      {!expand && <span className="slot" aria-hidden="true" />}
      {expand && (
        <button
          type="button"
          className="icon-button expand"
          aria-expanded={expand.expanded}
          aria-controls={expand.controls}
          aria-label={expand.label}
          onClick={expand.onToggle}
        >
          <ChevronIcon className={expand.expanded ? 'chevron chevron--open' : 'chevron'} />
        </button>
      )}
    </div>
  );
}
