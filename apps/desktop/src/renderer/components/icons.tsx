// Inline SVG icons: drawn in currentColor, hidden from assistive technology (the control names them).
import type { ReactNode } from 'react';

interface IconProps {
  className?: string;
}

function Svg({ children, className }: IconProps & { children: ReactNode }): ReactNode {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      viewBox="0 0 24 24"
      width="20"
      height="20"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export function GearIcon(props: IconProps): ReactNode {
  return (
    <Svg {...props}>
      <path
        fill="currentColor"
        d="M19.4 13a7.6 7.6 0 0 0 0-2l2.1-1.6-2-3.4-2.5 1a7.4 7.4 0 0 0-1.7-1L15 3.4h-4L10.7 6a7.4 7.4 0 0 0-1.7 1l-2.5-1-2 3.4L6.6 11a7.6 7.6 0 0 0 0 2l-2.1 1.6 2 3.4 2.5-1c.5.4 1.1.8 1.7 1l.3 2.6h4l.3-2.6c.6-.2 1.2-.6 1.7-1l2.5 1 2-3.4Zm-7.4 2.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7Z"
      />
    </Svg>
  );
}

export function BackIcon(props: IconProps): ReactNode {
  return (
    <Svg {...props}>
      <path fill="currentColor" d="M15.4 5.4 14 4l-8 8 8 8 1.4-1.4L8.8 12Z" />
    </Svg>
  );
}

export function ChevronIcon(props: IconProps): ReactNode {
  return (
    <Svg {...props}>
      <path fill="currentColor" d="M9.4 5.4 8 6.8l5.2 5.2L8 17.2l1.4 1.4L16 12Z" />
    </Svg>
  );
}

export function StarIcon({ filled, ...props }: IconProps & { filled: boolean }): ReactNode {
  return (
    <Svg {...props}>
      <path
        fill={filled ? 'currentColor' : 'none'}
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinejoin="round"
        d="m12 3.5 2.6 5.3 5.9.8-4.3 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.3-4.1 5.9-.8Z"
      />
    </Svg>
  );
}

export function CloseIcon(props: IconProps): ReactNode {
  return (
    <Svg {...props}>
      <path
        fill="currentColor"
        d="M18.3 7.1 16.9 5.7 12 10.6 7.1 5.7 5.7 7.1l4.9 4.9-4.9 4.9 1.4 1.4 4.9-4.9 4.9 4.9 1.4-1.4-4.9-4.9Z"
      />
    </Svg>
  );
}

export function FilterIcon(props: IconProps): ReactNode {
  return (
    <Svg {...props}>
      <path fill="currentColor" d="M4 6h16v2H4Zm3 5h10v2H7Zm3 5h4v2h-4Z" />
    </Svg>
  );
}

export function GlobeIcon(props: IconProps): ReactNode {
  return (
    <Svg {...props}>
      <path
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
        d="M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm0 0c2.5 2.4 3.8 5.4 3.8 9s-1.3 6.6-3.8 9m0-18C9.5 5.4 8.2 8.4 8.2 12s1.3 6.6 3.8 9M3.5 9h17M3.5 15h17"
      />
    </Svg>
  );
}

export function LockIcon(props: IconProps): ReactNode {
  return (
    <Svg {...props}>
      <path
        fill="currentColor"
        d="M17 9h-1V7a4 4 0 0 0-8 0v2H7a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2Zm-7-2a2 2 0 0 1 4 0v2h-4Z"
      />
    </Svg>
  );
}
