import { ConvexProvider, ConvexReactClient } from "convex/react";
import { useCallback, useMemo, useState } from "react";
import { Shell } from "./components/Shell";
import { SignIn } from "./components/SignIn";
import { SignedInContext, type SignedIn } from "./lib/session";
import { forgetAccessKey, rememberSignIn, storedSignIn, type StoredSignIn } from "./lib/settings";

/** Signed out: the sign-in form. Signed in: the app, connected to the remembered deployment. */
export function App() {
  const [signIn, setSignIn] = useState<StoredSignIn | null>(() => storedSignIn());

  const signOut = useCallback(() => {
    forgetAccessKey();
    closeClient();
    setSignIn(null);
  }, []);

  if (!signIn) {
    return (
      <SignIn
        onSignedIn={(value) => {
          rememberSignIn(value);
          setSignIn(value);
        }}
      />
    );
  }
  return <Connected signIn={signIn} signOut={signOut} />;
}

function Connected({ signIn, signOut }: { signIn: StoredSignIn; signOut: () => void }) {
  const client = clientFor(signIn.deploymentUrl);
  const value: SignedIn = useMemo(
    () => ({ deploymentUrl: signIn.deploymentUrl, accessKey: signIn.accessKey, signOut }),
    [signIn, signOut],
  );
  return (
    <ConvexProvider client={client}>
      <SignedInContext.Provider value={value}>
        <Shell />
      </SignedInContext.Provider>
    </ConvexProvider>
  );
}

// One client per page, outside React's lifecycle (StrictMode mounts twice), closed on sign-out.
let current: { url: string; client: ConvexReactClient } | null = null;

function clientFor(url: string): ConvexReactClient {
  if (current?.url !== url) {
    closeClient();
    current = { url, client: new ConvexReactClient(url, { skipConvexDeploymentUrlCheck: true }) };
  }
  return current.client;
}

function closeClient(): void {
  void current?.client.close();
  current = null;
}
