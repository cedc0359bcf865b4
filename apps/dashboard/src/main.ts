document.getElementById("app")!.textContent = "jobdesk";
