const {Engine}=require('/work/wt/concepts/out/src/engine/engine');
const {quietContext}=require('/work/wt/concepts/out/src/engine/common/context');
(async()=>{ const e=new Engine(()=>{}, {helper:false}); await e.useBackend('wasm');
 const p={modelPath:'/work/wt/concepts/examples/concepts-cnn/model.json', class:'zebra', layers:['conv2','dense1']};
 for (let i=0;i<3;i++){ const r=await e.run('tcav',p,quietContext()); console.log(r.ms.toFixed(0), JSON.stringify(r.timings), r.cached);} })();
