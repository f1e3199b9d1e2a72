import "./style.css";
import { boot } from "./app";
import { brandSlugFromPath } from "./storefrontUrl";

const root = document.getElementById("app");
if (root) void boot(root, brandSlugFromPath(location.pathname));
