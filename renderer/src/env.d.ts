import type { FerryApi } from '../../shared/api';

declare global {
  interface Window {
    /** Installed by the preload (or the test harness) before the page's scripts run. */
    readonly ferry?: FerryApi;
  }
}
