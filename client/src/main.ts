import { brandSlugFromPath } from "./storefrontUrl";

const root = document.getElementById("app")!;
const slug = brandSlugFromPath(location.pathname);
const heading = document.createElement("h1");
heading.textContent = "Vitrina";
const status = document.createElement("p");
status.textContent = `Loading the ${slug} storefront…`;
root.append(heading, status);

fetch(`/api/brands/${slug}`)
  .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
  .then((brand: { name: string }) => {
    heading.textContent = brand.name;
    status.textContent = "";
  })
  .catch(() => {
    status.textContent = "This storefront is not available.";
  });
