// One setting of the settings list, drawn by its declared control, with the helper's words beside it
// when its last change failed.
import { useState, type ReactNode } from 'react';
import {
  isChoiceSetting,
  isDnsSetting,
  isListSetting,
  isNumberSetting,
  isSwitchSetting,
  SETTINGS,
  type SettingKey,
  type SettingKeyOf,
} from '../../../shared/settings';
import { AddressList } from '../../components/AddressList';
import { useControlRefusal } from '../../components/ReadOnlyBanner';
import { ChoiceGroup } from '../../components/ChoiceGroup';
import { NumberOrAuto } from '../../components/NumberOrAuto';
import { Switch } from '../../components/Switch';
import { effectiveSetting } from '../../store/settings-slice';
import { useApp } from '../../store/store-context';
import type { DnsSetting, SettingValues, TrayStyle } from '../../../shared/settings';

function SettingProblem({ settingKey }: { settingKey: SettingKey }): ReactNode {
  const problem = useApp((s) => s.settingErrors[settingKey]);
  const dismiss = useApp((s) => s.dismissSettingError);
  if (!problem) return null;
  return (
    <div className="setting-error" role="alert">
      <span>{problem}</span>
      <button type="button" className="text-button" onClick={() => dismiss(settingKey)}>
        Dismiss
      </button>
    </div>
  );
}

/**
 * What every row reads: the value shown, how to change it, and whether it is locked (a helper-kept
 * setting cannot be changed by a user the helper would refuse).
 */
function useSettingRow<K extends SettingKey>(
  settingKey: K,
): { value: SettingValues[K] | undefined; change: (value: SettingValues[K]) => void; locked: boolean } {
  const value = useApp((s) => effectiveSetting(s, settingKey));
  const changeSetting = useApp((s) => s.changeSetting);
  const refused = useControlRefusal() !== undefined;
  return {
    value,
    change: (next) => changeSetting(settingKey, next),
    locked: refused && SETTINGS[settingKey].owner === 'helper',
  };
}

function SwitchSetting({ settingKey }: { settingKey: SettingKeyOf<boolean> }): ReactNode {
  const view = SETTINGS[settingKey].view;
  const { value, change, locked } = useSettingRow(settingKey);
  if (!view) return null;
  return (
    <Switch label={view.label} description={view.help} checked={value} disabled={locked} onChange={change} />
  );
}

function NumberSetting({ settingKey }: { settingKey: SettingKeyOf<number | null> }): ReactNode {
  const view = SETTINGS[settingKey].view;
  const { value, change, locked } = useSettingRow(settingKey);
  if (view?.control.kind !== 'number-or-auto') return null;
  const { min, max, autoLabel, placeholder } = view.control;
  return (
    <NumberOrAuto
      label={view.label}
      description={view.help}
      value={value}
      min={min}
      max={max}
      autoLabel={autoLabel}
      placeholder={placeholder}
      disabled={locked}
      onChange={change}
    />
  );
}

function ListSetting({ settingKey }: { settingKey: SettingKeyOf<readonly string[]> }): ReactNode {
  const view = SETTINGS[settingKey].view;
  const { value, change, locked } = useSettingRow(settingKey);
  if (view?.control.kind !== 'address-list') return null;
  const { control } = view;
  return (
    <div className="setting">
      <div className="setting-row">
        <span className="setting-label">{view.label}</span>
      </div>
      <p className="setting-description">{view.help}</p>
      <AddressList
        itemLabel={control.itemLabel}
        fieldLabel={`Add a ${control.itemLabel}`}
        items={value ?? []}
        placeholder={control.placeholder}
        validateItem={control.validateItem}
        {...(control.suggestions ? { suggestions: control.suggestions } : {})}
        disabled={value === undefined || locked}
        onChange={(items) => change(items)}
      />
    </div>
  );
}

function DnsSettingRow({ settingKey }: { settingKey: SettingKeyOf<DnsSetting> }): ReactNode {
  const view = SETTINGS[settingKey].view;
  const { value, change, locked } = useSettingRow(settingKey);
  // Turned on with no server yet: the field shows, and custom DNS starts with the first server added.
  const [adding, setAdding] = useState(false);
  if (view?.control.kind !== 'dns') return null;
  const servers = value?.mode === 'custom' ? value.customServers : [];
  const custom = servers.length > 0;
  return (
    <div className="setting-stack">
      <Switch
        label={view.label}
        description={view.help}
        checked={value === undefined ? undefined : custom || adding}
        disabled={locked}
        onChange={(on) => {
          if (!value) return;
          if (!on) {
            setAdding(false);
            if (custom) change({ mode: 'default', customServers: value.customServers });
          } else if (value.customServers.length > 0) {
            change({ mode: 'custom', customServers: value.customServers });
          } else {
            setAdding(true);
          }
        }}
      />
      {(custom || adding) && (
        <div className="setting setting--nested">
          <AddressList
            itemLabel="DNS server"
            fieldLabel="Add a DNS server"
            items={servers}
            placeholder={view.control.placeholder}
            validateItem={view.control.validateItem}
            disabled={locked}
            onChange={(items) => {
              setAdding(items.length === 0);
              change(
                items.length === 0
                  ? { mode: 'default', customServers: [] }
                  : { mode: 'custom', customServers: items },
              );
            }}
          />
          {!custom && <p className="setting-description">Add a server to start using custom DNS.</p>}
        </div>
      )}
    </div>
  );
}

function ChoiceSetting({ settingKey }: { settingKey: SettingKeyOf<TrayStyle> }): ReactNode {
  const view = SETTINGS[settingKey].view;
  const { value, change, locked } = useSettingRow(settingKey);
  if (view?.control.kind !== 'choice') return null;
  const { options } = view.control;
  return (
    <ChoiceGroup
      label={view.label}
      description={view.help}
      options={options}
      value={value}
      disabled={locked}
      onChange={(picked) => {
        const option = options.find((candidate) => candidate.value === picked);
        if (option) change(option.value);
      }}
    />
  );
}

function Control({ settingKey }: { settingKey: SettingKey }): ReactNode {
  if (isSwitchSetting(settingKey)) return <SwitchSetting settingKey={settingKey} />;
  if (isNumberSetting(settingKey)) return <NumberSetting settingKey={settingKey} />;
  if (isListSetting(settingKey)) return <ListSetting settingKey={settingKey} />;
  if (isDnsSetting(settingKey)) return <DnsSettingRow settingKey={settingKey} />;
  if (isChoiceSetting(settingKey)) return <ChoiceSetting settingKey={settingKey} />;
  return null;
}

export function SettingRow({ settingKey }: { settingKey: SettingKey }): ReactNode {
  return (
    <div className="setting-slot" data-setting={settingKey}>
      <Control settingKey={settingKey} />
      <SettingProblem settingKey={settingKey} />
    </div>
  );
}
