import { useEffect, useState } from "react";

// Where the user is, kept in the URL's fragment so a reload (or a shared link on the same
// device) opens the same screen, and one static build works under any path.

export type Route =
  | { page: "machines" }
  | { page: "machine"; machineId: string }
  | { page: "chat"; machineId: string; workerId: string; sessionId: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "machines" && parts[1]) {
    if (parts[2] === "workers" && parts[3] && parts[4] === "sessions" && parts[5]) {
      return { page: "chat", machineId: parts[1], workerId: parts[3], sessionId: parts[5] };
    }
    return { page: "machine", machineId: parts[1] };
  }
  return { page: "machines" };
}

export function hrefOf(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case "machines":
      return "#/";
    case "machine":
      return `#/machines/${e(route.machineId)}`;
    case "chat":
      return `#/machines/${e(route.machineId)}/workers/${e(route.workerId)}/sessions/${e(route.sessionId)}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
