import type { Viewer } from '@motcua/db';

declare global {
  namespace App {
    interface Locals {
      viewer: Viewer | null;
      requestId: string;
      lang: 'vi' | 'en';
    }
    interface Error {
      message: string;
      code?: string;
    }
  }
}
