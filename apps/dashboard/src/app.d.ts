import type { Viewer } from '@motcua/db';

declare global {
  namespace App {
    interface Locals {
      viewer: Viewer | null;
      /** A display page asked for with a viewer token or session whose viewer was revoked. */
      revoked: boolean;
      requestId: string;
      lang: 'vi' | 'en';
    }
    interface Error {
      message: string;
      code?: string;
    }
  }
}
