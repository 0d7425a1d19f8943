// Dropping a file anywhere in the window opens it; the window highlights while a file is
// dragged over it. Every drop is handled here so a dropped file never navigates the page.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { DroppedFile } from '../../shared/api';
import { isSourceName } from '../../shared/source-names';

const carriesFiles = (e: DragEvent): boolean => Array.from(e.dataTransfer?.types ?? []).includes('Files');

export function useWindowDrop(accepting: boolean, onFiles: (files: DroppedFile[]) => void): boolean {
  const [dragging, setDragging] = useState(false);
  // The listeners live as long as the window; they read the latest props through these.
  const latest = useRef({ accepting, onFiles });
  useLayoutEffect(() => {
    latest.current = { accepting, onFiles };
  });
  useEffect(() => {
    // dragenter/dragleave fire for every element crossed; count them to know when the pointer left the window.
    let depth = 0;
    const enter = (e: DragEvent): void => {
      e.preventDefault();
      if (!carriesFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent): void => {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = latest.current.accepting && carriesFiles(e) ? 'copy' : 'none';
    };
    const leave = (): void => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent): void => {
      e.preventDefault();
      depth = 0;
      setDragging(false);
      // Every file Ferry reads; none of them: the first, which is refused with a reason.
      const files = Array.from(e.dataTransfer?.files ?? []);
      const readable = files.filter((f) => isSourceName(f.name));
      const given = readable.length ? readable : files.slice(0, 1);
      if (latest.current.accepting && given.length) latest.current.onFiles(given);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return dragging;
}
