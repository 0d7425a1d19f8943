// The frame every step shares: a heading that takes focus when the step appears, a scrolling
// body, and an action bar along the bottom.
import { useEffect, useRef, type FormEvent, type ReactElement, type ReactNode } from 'react';
import './layout.css';

export function Step({
  title,
  subtitle,
  icon,
  children,
  actions,
  onSubmit,
  wide,
}: {
  title: string;
  subtitle?: ReactNode;
  icon?: ReactNode;
  children?: ReactNode;
  actions: ReactNode;
  /** Makes Enter in a field act as the primary button. */
  onSubmit?: () => void;
  wide?: boolean;
}): ReactElement {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus({ preventScroll: true }), []);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSubmit?.();
  };
  return (
    <form className="step" onSubmit={submit} aria-labelledby="step-title" noValidate>
      <div className="step-body">
        <div className={wide ? 'step-inner is-wide' : 'step-inner'}>
          <header className="step-header">
            {icon ? <div className="step-icon">{icon}</div> : null}
            <div>
              <h1 id="step-title" ref={heading} tabIndex={-1}>
                {title}
              </h1>
              {subtitle ? <p className="step-subtitle">{subtitle}</p> : null}
            </div>
          </header>
          {children}
        </div>
      </div>
      <footer className="actions">{actions}</footer>
    </form>
  );
}

export function Spacer(): ReactElement {
  return <span className="spacer" />;
}

export function Button({
  children,
  kind = 'secondary',
  type = 'button',
  onClick,
  disabled,
  icon,
  ...rest
}: {
  children: ReactNode;
  kind?: 'primary' | 'secondary' | 'ghost' | 'danger';
  type?: 'button' | 'submit';
  onClick?: () => void;
  disabled?: boolean;
  icon?: ReactNode;
  'aria-describedby'?: string;
  'aria-label'?: string;
}): ReactElement {
  return (
    <button type={type} className={`btn btn-${kind}`} onClick={onClick} disabled={disabled} {...rest}>
      {icon}
      <span>{children}</span>
    </button>
  );
}

export function Callout({ tone, title, children }: { tone: 'info' | 'warning' | 'danger' | 'success'; title?: string; children: ReactNode }): ReactElement {
  return (
    <div className={`callout callout-${tone}`} role={tone === 'danger' ? 'alert' : undefined}>
      {title ? <strong className="callout-title">{title}</strong> : null}
      <div>{children}</div>
    </div>
  );
}
